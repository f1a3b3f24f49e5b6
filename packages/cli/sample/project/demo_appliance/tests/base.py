"""tempest.lib's decorators in miniature: ids carry [id-<uuid>,<type>] like tempest's."""
import testtools
from testtools import testcase


def idempotent_id(uuid):
    def decorator(f):
        f = testcase.attr('id-%s' % uuid)(f)
        return f
    return decorator


def attr(type):
    return testcase.attr(type)


class BaseTest(testtools.testcase.WithAttributes, testtools.TestCase):
    pass
