"""SmartGrocer Cloud shared layer: models, domain logic, adapters and the route table."""
