// session_options: quiver's SessionOptionsStore behind the three standard actions, with the
// scenario's option rules: the name "lol_invalid" and the string value "lol_invalid" are refused.
import { invalidArgument } from '../../../src/errors.ts';
import { serverStream } from '../../../src/flight/handler-kit.ts';
import type { ActionIn } from '../../../src/wire/protocol.ts';
import { SessionOptionsStore, type OptionPolicy } from '../../../src/flight/session-options.ts';
import type { Scenario } from './scenario.ts';

const policy: OptionPolicy = (name, value) => {
  if (name === 'lol_invalid') return 'INVALID_NAME';
  if (value.string_value === 'lol_invalid') return 'INVALID_VALUE';
  return null;
};

export const sessionOptions: Scenario = {
  handlers: (kit) => {
    const store = new SessionOptionsStore(policy);
    const actions = {
      SetSessionOptions: store.set.bind(store),
      GetSessionOptions: store.get.bind(store),
      CloseSession: store.close.bind(store),
    };
    return {
      DoAction: serverStream(kit, 'DoAction', async function* (action: ActionIn, info) {
        const run = actions[action.type as keyof typeof actions];
        if (!run) throw invalidArgument(`unknown action ${JSON.stringify(action.type)}; this server has ${Object.keys(actions).join(', ')}`);
        yield { body: run(action.body, info) };
      }),
    };
  },
};
