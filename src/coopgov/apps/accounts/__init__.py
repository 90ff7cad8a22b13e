"""People's accounts: email login, platform roles and API tokens."""
