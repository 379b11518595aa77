"""API keys bound to an organisation and a role, checked on every route."""
