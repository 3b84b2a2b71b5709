/** Public surface of the control socket: the API the daemon implements, its server, and the client the `tyne` commands use. */
export * from './control-api.js';
export * from './control-error.js';
export { controlRequest, answerError, isOperatorError, type ClientAnswer } from './control-client.js';
export { ControlServer, groupId, type ControlSocketSettings } from './control-server.js';
export { route, errorAnswer, type ControlAnswer, type ControlRequest } from './control-routes.js';
export { tyneVersion } from './version.js';
