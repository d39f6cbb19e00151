#pragma once
// Validation mode: a framed request/reply protocol over any byte link, so the
// host can check the firmware's outputs against the simulator byte for byte
// and read on-device inference times. Portable C++11 (no heap, no Arduino
// headers); the board supplies the HAL functions below. The host side is
// tinyforge's lib/validate-protocol.ts (codec) and generator/serial/ (session).
//
// Frame (both directions):
//   magic 0xA5 0x5A | type u8 | seq u8 | length u32 LE | payload[length] | crc32 u32 LE
//   crc32 = CRC-32 (zlib / ISO-HDLC) of the type, seq, length and payload bytes.
//   A reply carries the seq of the request it answers. The host numbers each
//   new request and resends a request with the same seq when the reply is
//   missing or damaged, so every request is idempotent: a repeated INFER
//   (same seq, no LOAD in between) gets the cached reply and does not run the
//   model again.
// Host -> device:
//   HELLO (0x01)  empty.
//   LOAD  (0x02)  offset u32, then bytes to store at that offset of the model's
//                 inputs laid end to end in model-input order (at most
//                 max_chunk bytes per frame).
//   INFER (0x03)  flags u8 (bit 0: keep state, i.e. skip tf_reset()), inputs
//                 crc32 u32 (of all input bytes: the device refuses to run on
//                 inputs that differ from what the host sent).
//   READ  (0x04)  offset u32, length u32 (<= max_chunk): bytes of the outputs
//                 laid end to end in model-output order.
//   QUIT  (0x05)  empty: the link is done (the emulation main then exits).
// Device -> host:
//   HELLO_OK (0x81)  version u8, flags u8 (bit 0: a cycle counter is read),
//                    max_chunk u32, model sha256 [32], arena bytes u32,
//                    inputs u8, outputs u8, then for each input and then each
//                    output: dtype u8, rank u8, dims u32[rank], bytes u32,
//                    elements u32, scale (float32 bits) u32, zero point i32.
//   LOAD_OK  (0x82)  offset u32, length u32 (what was stored).
//   INFER_OK (0x83)  microseconds of tf_invoke() u32, cycles u32 (0: no
//                    counter), output bytes u32, crc32 of all output bytes u32.
//   READ_OK  (0x84)  offset u32, then the bytes.
//   QUIT_OK  (0x85)  empty.
//   ERROR    (0xEE)  code u8 (TF_VALIDATE_ERR_*), request type u8.
// Bytes outside a frame (e.g. the always-on loop's text lines) are skipped
// until the next magic. A header announcing more than a request can hold is
// refused at once (ERROR length) and the parser goes back to scanning for the
// magic; a frame left incomplete for TF_VALIDATE_FRAME_TIMEOUT_US is dropped.
#include <stdint.h>

#define TF_VALIDATE_VERSION 2
#define TF_VALIDATE_MAGIC0 0xA5
#define TF_VALIDATE_MAGIC1 0x5A
#define TF_VALIDATE_HELLO 0x01
#define TF_VALIDATE_LOAD 0x02
#define TF_VALIDATE_INFER 0x03
#define TF_VALIDATE_READ 0x04
#define TF_VALIDATE_QUIT 0x05
#define TF_VALIDATE_HELLO_OK 0x81
#define TF_VALIDATE_LOAD_OK 0x82
#define TF_VALIDATE_INFER_OK 0x83
#define TF_VALIDATE_READ_OK 0x84
#define TF_VALIDATE_QUIT_OK 0x85
#define TF_VALIDATE_ERROR 0xEE
#define TF_VALIDATE_ERR_CRC 1
#define TF_VALIDATE_ERR_LENGTH 2
#define TF_VALIDATE_ERR_TYPE 3
#define TF_VALIDATE_ERR_INVOKE 4
#define TF_VALIDATE_ERR_INPUT_CRC 5
#define TF_VALIDATE_ERR_RANGE 6

// Largest LOAD / READ chunk (bytes of tensor data per frame).
#ifndef TF_VALIDATE_MAX_CHUNK
#define TF_VALIDATE_MAX_CHUNK 1024u
#endif
// A frame whose bytes stop arriving for this long is dropped (the host waits
// longer than this before it resends).
#ifndef TF_VALIDATE_FRAME_TIMEOUT_US
#define TF_VALIDATE_FRAME_TIMEOUT_US 100000u
#endif

// ---- HAL: what the board provides (tinyforge_app.cpp on Arduino, tf_emu_main.cpp on mps2) ----
/** Next received byte (0..255), or -1 when none is waiting. Never blocks. */
int tf_hal_read_byte(void);
/** Sends n bytes (may block until they are queued). */
void tf_hal_write(const uint8_t* data, uint32_t n);
/** A free-running microsecond counter (wraps at 2^32). */
uint32_t tf_hal_micros(void);
/** Called right before and right after tf_invoke() (profiling markers; may be empty). */
void tf_hal_invoke_begin(void);
void tf_hal_invoke_end(void);

/** Back to waiting for a frame's magic; forgets the cached INFER reply. */
void tf_validate_init(void);
/**
 * Consumes every byte waiting on the link and answers each complete frame.
 * Returns the number of valid frames handled by this call (0 when none).
 */
int tf_validate_poll(void);
/** 1 while a frame is partly received (its input bytes may already be in the input tensors). */
int tf_validate_busy(void);
/** 1 once a QUIT frame was answered. */
int tf_validate_quit_requested(void);
/** CRC-32 (zlib) update: start with crc = 0, feed the bytes in any number of calls. */
uint32_t tf_crc32_update(uint32_t crc, const uint8_t* data, uint32_t n);
