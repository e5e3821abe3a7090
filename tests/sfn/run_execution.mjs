// Run one execution of a state machine definition with aws-local-stepfunctions.
//
// Usage: node tests/sfn/run_execution.mjs <spec.json>
//
// spec.json:
//   {
//     "definition":  <ASL document>,
//     "input":       <execution input>,
//     "bridgeUrl":   "http://127.0.0.1:<port>/invoke",   // Lambda bridge (Python)
//     "executionArn": "arn:aws:states:...:execution:<sm>:<name>",
//     "stateMachineArn": "arn:aws:states:...:stateMachine:<sm>",
//     "retryIntervalOverrideMs": 0,                      // optional, every Task's Retry pause
//     "waitOverrideMs": 100                              // optional, every Wait state's pause
//   }
//
// Every Task state whose Resource is the lambda:invoke integration is bound
// (overrides.taskResourceLocalHandlers) to the bridge: the resolved task input
// ({"FunctionName", "Payload"}) is POSTed there, the bridge runs the real
// Python handler and answers {"ok": true, "result": <handler return>} or
// {"ok": false, "errorType", "errorMessage"}. The override returns the
// lambda:invoke-shaped result ({"Payload": ..., "StatusCode": 200, ...}) or
// throws an Error named after errorType (so Retry/Catch see the same error
// names as in AWS, e.g. "Lambda.TooManyRequestsException").
//
// Prints ONE JSON line on stdout:
//   {"status": "SUCCEEDED"|"FAILED"|"TIMED_OUT", "output", "error", "cause",
//    "states": [names entered, in order], "events": [compact event log]}
import { readFileSync } from "node:fs";

// aws-local-stepfunctions@3 declares node >= 22; the only newer API it uses is
// Promise.withResolvers (Node 22). Polyfill it so Node 20 runs it too.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const { StateMachine, ExecutionTimeoutError } = await import("aws-local-stepfunctions");

const LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";

function fail(message) {
  console.error(message);
  process.exit(2);
}

const specFile = process.argv[2];
if (!specFile) fail("usage: node run_execution.mjs <spec.json>");
const spec = JSON.parse(readFileSync(specFile, "utf8"));
const { definition, input, bridgeUrl, executionArn, stateMachineArn } = spec;
if (!definition || !bridgeUrl || !executionArn) fail("spec needs definition, bridgeUrl and executionArn");

function bridgeHandler(stateName) {
  return async (taskInput) => {
    const response = await fetch(bridgeUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        state: stateName,
        function_name: taskInput?.FunctionName ?? null,
        payload: taskInput?.Payload ?? null,
      }),
    });
    if (!response.ok) {
      throw Object.assign(new Error(`bridge HTTP ${response.status}: ${await response.text()}`), {
        name: "Lambda.ServiceException",
      });
    }
    const answer = await response.json();
    if (!answer.ok) {
      const err = new Error(answer.errorMessage ?? "Lambda function error");
      err.name = answer.errorType ?? "Lambda.Unknown";
      throw err;
    }
    return {
      ExecutedVersion: "$LATEST",
      Payload: answer.result,
      StatusCode: 200,
    };
  };
}

const taskResourceLocalHandlers = {};
const retryIntervalOverrides = {};
const waitTimeOverrides = {};
for (const [name, state] of Object.entries(definition.States)) {
  if (state.Type === "Wait" && spec.waitOverrideMs !== undefined && spec.waitOverrideMs !== null) {
    waitTimeOverrides[name] = spec.waitOverrideMs;
  }
  if (state.Type !== "Task") continue;
  if (state.Resource !== LAMBDA_INVOKE) fail(`Task state ${name} uses ${state.Resource}; only ${LAMBDA_INVOKE} is bridged`);
  taskResourceLocalHandlers[name] = bridgeHandler(name);
  if (spec.retryIntervalOverrideMs !== undefined && spec.retryIntervalOverrideMs !== null) {
    retryIntervalOverrides[name] = spec.retryIntervalOverrideMs;
  }
}

// The constructor validates the definition (JSONPaths and ARNs included).
const stateMachine = new StateMachine(definition, {
  validationOptions: { checkPaths: true, checkArn: true },
});

const executionName = executionArn.split(":").pop();
const execution = stateMachine.run(input, {
  overrides: { taskResourceLocalHandlers, retryIntervalOverrides, waitTimeOverrides },
  context: {
    Execution: { Id: executionArn, Name: executionName, RoleArn: "arn:aws:iam::123456789012:role/sfn" },
    StateMachine: { Id: stateMachineArn ?? null, Name: (stateMachineArn ?? "").split(":").pop() },
  },
});

const events = [];
const collectEvents = (async () => {
  for await (const ev of execution.eventLogs) {
    const compact = { type: ev.type };
    if (ev.state) compact.state = ev.state.name;
    if (ev.Error !== undefined) compact.Error = ev.Error;
    if (ev.Cause !== undefined) compact.Cause = typeof ev.Cause === "string" ? ev.Cause : String(ev.Cause?.message ?? ev.Cause);
    if (ev.retry) compact.attempt = ev.retry.attempt;
    events.push(compact);
  }
})();

const result = { status: null, output: null, error: null, cause: null };
try {
  result.output = await execution.result;
  result.status = "SUCCEEDED";
} catch (err) {
  if (err instanceof ExecutionTimeoutError) {
    result.status = "TIMED_OUT";
    result.error = "States.Timeout";
  } else {
    // ExecutionError wraps the error that ended the execution (a Fail state's
    // FailStateError has name = Error and message = Cause).
    const inner = err?.cause ?? err;
    result.status = "FAILED";
    result.error = inner?.name ?? String(inner);
    result.cause = inner?.message ?? null;
  }
}
await collectEvents;
result.states = events.filter((e) => e.type === "StateEntered").map((e) => e.state);
result.events = events;
process.stdout.write(JSON.stringify(result) + "\n");
