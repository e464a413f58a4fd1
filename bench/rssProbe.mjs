// Loaded with `node --import` into a measured process (the orgpatch CLI): samples the V8 heap twice a
// second and, when the process exits, writes its peak RSS (getrusage), heap peak and CPU time to the file
// ORGPATCH_RSS_PROBE names. It adds a timer and a few objects, nothing that shows in megabytes.
import { writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

const file = process.env.ORGPATCH_RSS_PROBE;
if (file) {
  let heapPeak = 0;
  const sample = () => {
    heapPeak = Math.max(heapPeak, getHeapStatistics().used_heap_size);
  };
  setInterval(sample, 500).unref();
  process.on('exit', () => {
    sample();
    writeFileSync(
      file,
      JSON.stringify({
        maxRssKb: process.resourceUsage().maxRSS,
        heapPeakBytes: heapPeak,
        cpuS: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
        exitCode: process.exitCode ?? 0,
      }),
    );
  });
}
