// auth:basic_proto: the legacy handshake (BasicAuth payload in, token payload out) and the
// token as `auth-token-bin` on later calls, all done by quiver's Authenticator and Handshake
// handler. The one action answers with the caller's user name, which proves the token maps
// back to the identity that logged in.
import { basicAuth } from '../../../src/flight/auth.ts';
import { handshake } from '../../../src/flight/handlers/handshake.ts';
import { serverStream } from '../../../src/flight/handler-kit.ts';
import type { Scenario } from './scenario.ts';

export const authBasicProto: Scenario = {
  auth: basicAuth(new Map([['arrow', 'flight']]), 60 * 60 * 1000),
  handlers: (kit) => ({
    Handshake: handshake(kit),
    DoAction: serverStream(kit, 'DoAction', async function* (_action, info) {
      yield { body: Buffer.from(info.identity.user) };
    }),
  }),
};
