/**
 * The CLI's client serializer builds bulk bodies as one Buffer (less garbage per request): the
 * bytes must be exactly the stock serializer's, strings sent as they are and objects serialised.
 */
import { Serializer } from '@elastic/transport';
import { bulkBufferSerializer } from './connection';

describe('bulkBufferSerializer', () => {
  it('writes the same bulk body bytes as the stock serializer', async () => {
    const Bulk = await bulkBufferSerializer();
    const lines = [{ create: { _index: 'logs-x', _id: 'a-1' } }, '{"message":"héllo – ✓","n":1}', { create: { _index: 'logs-x', _id: 'a-2' } }, '{}'];
    const body = new Bulk().ndserialize(lines) as unknown as Buffer;
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(body.equals(Buffer.from(new Serializer().ndserialize(lines)))).toBe(true);
    expect((new Bulk().ndserialize([]) as unknown as Buffer).length).toBe(0);
  });
});
