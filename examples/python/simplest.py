"""The README's simplest example in Python: examples/simplest.ts, line for line.

npm run test:bindings synthesizes it with the built cdktf-switchback wheel and checks the Terraform
JSON equals the TypeScript synth of examples/simplest.ts.
"""
import os

from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_switchback import SwitchbackService

app = App()
stack = TerraformStack(app, "checkout")
AwsProvider(stack, "aws", region="us-east-1")

SwitchbackService(
    stack,
    "Checkout",
    release_id=os.environ.get("SWITCHBACK_RELEASE_ID", "local"),
    load_balancer_arn="arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188",
    vpc_id="vpc-0123456789abcdef0",
    certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
)
app.synth()
