// The engine's structured logs and metrics would only slow the mutant runs down (see test/setup.ts).
process.env.SWITCHBACK_LOG_LEVEL = 'SILENT';
process.env.SWITCHBACK_METRICS_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
