/** docs/drill.md: the drill from code, as its tests run it. */
import { runDrill } from '../../test/drill';

export async function drillOnce(): Promise<void> {
  const { report, files } = await runDrill({ scenarios: ['5xx-release'], outDir: 'drill-report' });
  // { scenario, detectMs, switchMs, failedAfterDetect, servedBlue, servedGreen, auditRecords, passed, checks, ... }
  console.log(report.scenarios[0], files);
}
