"""Django apps: thin shells (models, forms, views, permissions) around the computation cores."""
