"""Outputs: tables for people, CSV and JSON for machines."""
