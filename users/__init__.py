"""Users: profiles (PostgreSQL JSONB beside indexed columns), saved travelers with their travel
documents encrypted at rest, notification preferences, export and erasure; the `/v1/me` routes."""
