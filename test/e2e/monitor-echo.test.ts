// -M wp:ep (echo form): autossh forwards wp to an echo service at ep on the server and checks
// that its message is echoed. See monitor-scenario.ts.
import { describeMonitorForm } from './monitor-scenario.js';

describeMonitorForm({ form: 'echo form -M wp:ep', monitor: (wp, ep) => `${wp}:${ep}` });
