"""govnet: provision and monitor a district e-government extranet."""

__version__ = "0.1.0"
