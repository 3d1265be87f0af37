"""Loaders: price lists (TOML) and volume files (CSV), validated into the domain model."""
