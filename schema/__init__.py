"""GraphQL schema, one folder per domain; the root schema is in ``schema.root``."""
