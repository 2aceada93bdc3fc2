import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from 'rhea-promise';
import { FakeArtemis } from '../support/fake-artemis/index.js';
import { connect } from './client.js';

function attempt(b: FakeArtemis, auth: { username?: string; password?: string }): Promise<Connection> {
  const conn = new Connection({ host: b.host, port: b.port, transport: 'tcp', reconnect: false, operationTimeoutInSeconds: 3, ...auth });
  return conn.open();
}

test('SASL PLAIN: right credentials connect; a wrong password or unknown user fails with an auth error', async () => {
  const b = await FakeArtemis.start({ users: { admin: 's3cret' } });
  try {
    const ok = await connect(b, { username: 'admin', password: 's3cret' });
    assert.equal(ok.isOpen(), true);
    await ok.close();
    for (const auth of [{ username: 'admin', password: 'wrong' }, { username: 'mallory', password: 's3cret' }]) {
      await assert.rejects(attempt(b, auth), (e: { condition?: string; message?: string }) => {
        assert.equal(e.condition, 'amqp:unauthorized-access');
        assert.match(String(e.message), /Failed to authenticate/);
        return true;
      });
    }
    assert.equal(b.connectionCount, 0);
  } finally {
    await b.stop();
  }
});

test('a broker with users refuses clients that do not authenticate', async () => {
  const b = await FakeArtemis.start({ users: { admin: 's3cret' } });
  try {
    await assert.rejects(attempt(b, {}));
    await assert.rejects(attempt(b, { username: 'anonymous' }));
  } finally {
    await b.stop();
  }
});

test('without users, anonymous and any PLAIN credentials are accepted', async () => {
  const b = await FakeArtemis.start();
  try {
    const anon = await connect(b);
    const plain = await connect(b, { username: 'whoever', password: 'whatever' });
    assert.equal(b.connectionCount, 2);
    await anon.close();
    await plain.close();
  } finally {
    await b.stop();
  }
});
