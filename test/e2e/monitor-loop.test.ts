// -M wp (loop form): autossh forwards wp to the server (-L) and back (-R wp -> wp+1) and checks
// that its own message comes round. See monitor-scenario.ts.
import { describeMonitorForm } from './monitor-scenario.js';

describeMonitorForm({ form: 'loop form -M wp', monitor: (wp) => `${wp}` });
