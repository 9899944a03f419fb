"""The sim identity provider (a token issuer serving a JWKS), mounted at `/identity`."""

from sim.identity.app import AUDIENCE, MOUNT_PATH, install_identity

__all__ = ["AUDIENCE", "MOUNT_PATH", "install_identity"]
