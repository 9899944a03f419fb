"""The sim identity provider (an OpenID Connect provider serving a JWKS), mounted at `/identity`."""

from sim.identity.app import AUDIENCE, MOUNT_PATH, IdentityConfig, install_identity

__all__ = ["AUDIENCE", "MOUNT_PATH", "IdentityConfig", "install_identity"]
