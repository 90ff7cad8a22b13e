"""The platform's pages: directory, organisation pages, joining, the register for officers."""
