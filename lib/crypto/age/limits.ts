/**
 * The bounds an age file must keep to here, so that a file from anyone costs
 * a bounded amount of memory and work to refuse. A group of 256 hybrid
 * recipients (the service's largest) is about 400 KB of header; the limits
 * leave room for 64 more stanzas, and for other tools' grease stanzas.
 *
 * @module
 */

/** Most recipient stanzas in one header: 256 recipients and a margin. */
export const MAX_STANZAS = 320;

/** Most bytes in one header, version line to MAC line. */
export const MAX_HEADER_BYTES = 640 * 1024;

/** Most arguments on one stanza's first line. */
export const MAX_STANZA_ARGS = 8;

/** Most bytes in one stanza body (native bodies are 32 bytes). */
export const MAX_STANZA_BODY_BYTES = 4096;

/** Most recipients one file is encrypted to. */
export const MAX_RECIPIENTS = 256;
