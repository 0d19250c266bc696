"""Business services that are more than one form."""
