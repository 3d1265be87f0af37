"""Engine: pure pricing and invoicing functions over the domain model."""
