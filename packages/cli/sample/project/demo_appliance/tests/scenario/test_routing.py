from demo_appliance import router
from demo_appliance.tests import base


class RoutingScenarioTest(base.BaseTest):

    @base.attr('smoke')
    @base.idempotent_id('3e1f9b2a-6c4d-4e8f-a1b2-c3d4e5f6a7b8')
    def test_default_route(self):
        r = router.Router('gw')
        r.add_route('0.0.0.0/0', '192.0.2.1')
        self.assertEqual('192.0.2.1', r.lookup('0.0.0.0/0'))

    @base.idempotent_id('5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d')
    def test_unknown_destination(self):
        r = router.Router('gw')
        self.assertIsNone(r.lookup('198.51.100.0/24'))
