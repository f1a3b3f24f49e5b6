"""A toy appliance: the demo's change under test edits this file."""


class Router(object):
    def __init__(self, name):
        self.name = name
        self.interfaces = []
        self.routes = {}

    def add_interface(self, cidr):
        if cidr in self.interfaces:
            raise ValueError("interface %s already attached" % cidr)
        self.interfaces.append(cidr)

    def add_route(self, destination, nexthop):
        self.routes[destination] = nexthop

    def lookup(self, destination):
        return self.routes.get(destination)
