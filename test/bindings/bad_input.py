"""A bad prop from Python: prints the error message the construct throws, as one JSON line.

npm run test:bindings checks it carries the message TypeScript gets from test/bindings/bad-input.ts.
"""
import json

from cdktf import App, TerraformStack
from cdktf_switchback import BlueGreenListenerOptions, SwitchbackService

app = App()
stack = TerraformStack(app, "checkout")
try:
    SwitchbackService(
        stack,
        "Checkout",
        release_id="r1",
        load_balancer_arn="arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188",
        vpc_id="vpc-0123456789abcdef0",
        listener=BlueGreenListenerOptions(canary_weight_percent=150),
    )
except Exception as error:  # jsii raises the JavaScript error as a Python exception
    print(json.dumps({"message": str(error)}))
else:
    raise SystemExit("SwitchbackService accepted canary_weight_percent=150")
