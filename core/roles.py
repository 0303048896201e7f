"""Roles that span the whole network, named once."""

#: The group whose members manage every venue and moderate what hubs submit.
NETWORK_ADMINS = "Network admins"


def is_network_admin(user) -> bool:
    return bool(user.is_active and (user.is_superuser or user.groups.filter(name=NETWORK_ADMINS).exists()))
