import unittest

from demo_appliance import router
from demo_appliance.tests import base


class RoutersTest(base.BaseTest):

    @base.attr('smoke')
    @base.idempotent_id('f64403e2-8483-4b34-8ccd-b09a87bcc68c')
    def test_create_router(self):
        r = router.Router('r1')
        self.assertEqual('r1', r.name)

    @base.idempotent_id('b42e6e39-2e37-49cc-a6f4-8467e940900a')
    def test_add_interface(self):
        r = router.Router('r1')
        r.add_interface('10.0.0.0/24')
        self.assertEqual(['10.0.0.0/24'], r.interfaces)

    @base.idempotent_id('d5ad2b8b-4d43-4a1f-9b1d-58a2cdd2d5a1')
    def test_duplicate_interface_rejected(self):
        r = router.Router('r1')
        r.add_interface('10.0.0.0/24')
        self.assertRaises(ValueError, r.add_interface, '10.0.0.0/24')

    @base.idempotent_id('0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d')
    def test_ipv6_interface(self):
        self.skipTest('IPv6 is not enabled in this deployment')

    @unittest.expectedFailure
    @base.idempotent_id('7c6b5a49-3827-4165-9e0d-1c2b3a4f5e6d')
    def test_route_withdrawal(self):
        # Known bug: routes cannot be withdrawn yet.
        r = router.Router('r1')
        r.add_route('0.0.0.0/0', '10.0.0.1')
        self.assertIsNone(r.lookup('0.0.0.0/0'))
