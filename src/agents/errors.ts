/** The agents module's own error kinds (argument errors use errors.ts's TypeError/RangeError with codes). */
import { NcpError } from '../errors.js';

/** observe() got a callId that is not pending: never issued, already observed, expired or dropped. */
export class UnknownCallError extends NcpError {
  readonly callId: unknown;
  constructor(message: string, callId: unknown) {
    super(message, 'NCP_AGENT_UNKNOWN_CALL');
    this.callId = callId;
  }
}

/** An agent's call carries a time before that agent's previous call. */
export class AgentTimeError extends NcpError {
  readonly agentId: string;
  constructor(message: string, agentId: string) {
    super(message, 'NCP_AGENT_TIME_BACKWARDS');
    this.agentId = agentId;
  }
}
