"""In-memory stand-ins for a service's storage, so its handlers' rules are tested in milliseconds."""
