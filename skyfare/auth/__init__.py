"""Traveler authentication: Bearer JWTs checked against the identity provider's JWKS."""

from skyfare.auth.authenticator import JwksAuthenticator
from skyfare.auth.jwks import JwksKeySet

__all__ = ["JwksAuthenticator", "JwksKeySet"]
