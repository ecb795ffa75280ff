"""Workspace roles, ordered from least to most powerful."""

from enum import StrEnum


class Role(StrEnum):
    """A member's role in a workspace."""

    viewer = "viewer"
    """Reads everything in the workspace, changes nothing."""
    editor = "editor"
    """Creates and changes the workspace's product data."""
    admin = "admin"
    """Manages members, tokens and settings; reads the audit log."""
    owner = "owner"
    """An admin who can also manage other admins and owners."""

    @property
    def rank(self) -> int:
        """Position in the order viewer < editor < admin < owner."""
        return ROLE_ORDER.index(self)

    def allows(self, needed: "Role") -> bool:
        """Return whether this role is at least ``needed``.

        >>> Role.admin.allows(Role.editor)
        True
        >>> Role.viewer.allows(Role.editor)
        False
        """
        return self.rank >= needed.rank


ROLE_ORDER = (Role.viewer, Role.editor, Role.admin, Role.owner)
