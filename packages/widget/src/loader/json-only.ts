/**
 * socket.io-parser's binary support, left out of the bundle (aliased in build.mjs): the widget
 * and the server exchange JSON only, never ArrayBuffers or Blobs, so there is nothing to
 * split out of or put back into a packet.
 */
export const hasBinary = (_: unknown) => false;
export const isBinary = (_: unknown) => false;
export const deconstructPacket = <P>(packet: P) => ({ packet, buffers: [] as unknown[] });
export const reconstructPacket = <P>(packet: P) => packet;
