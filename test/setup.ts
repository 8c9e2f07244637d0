import { Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest';

Testing.setupJest();

// The watchdog's structured logs and metrics go to stdout in Lambda; in tests they are noise.
// (The bundle test runs the watchdog in a child process with its own environment and reads them.)
process.env.SWITCHBACK_LOG_LEVEL = 'SILENT';
process.env.SWITCHBACK_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
