#pragma once
// Validation mode: a framed request/reply protocol over any byte link, so the
// host can check the firmware's outputs against the simulator byte for byte
// and read on-device inference times. Portable C++11 (no heap, no Arduino
// headers); the board supplies the three HAL functions below.
//
// Frame (both directions):
//   magic 0xA5 0x5A | type u8 | length u32 LE | payload[length] | crc32 u32 LE
//   crc32 = CRC-32 (zlib / ISO-HDLC) of the type, length and payload bytes.
// Host -> device:
//   HELLO (0x01)  empty payload.
//   INFER (0x02)  flags u8 (bit 0: keep state, i.e. skip tf_reset()), then the
//                 raw bytes of every model input in model-input order.
// Device -> host:
//   HELLO_OK (0x81)  version u8, model sha256 [32], arena bytes u32, inputs u8,
//                    outputs u8, then for each input and then each output:
//                    dtype u8, bytes u32, elements u32, scale (float32 bits) u32,
//                    zero point i32.
//   INFER_OK (0x82)  microseconds of tf_invoke() u32, then the raw bytes of every
//                    model output in model-output order.
//   ERROR (0xEE)     code u8 (TF_VALIDATE_ERR_*).
// Bytes outside a frame (e.g. the always-on loop's text lines) are skipped
// until the next magic; a frame left incomplete for a second is dropped.
#include <stdint.h>

#define TF_VALIDATE_VERSION 1
#define TF_VALIDATE_MAGIC0 0xA5
#define TF_VALIDATE_MAGIC1 0x5A
#define TF_VALIDATE_HELLO 0x01
#define TF_VALIDATE_INFER 0x02
#define TF_VALIDATE_HELLO_OK 0x81
#define TF_VALIDATE_INFER_OK 0x82
#define TF_VALIDATE_ERROR 0xEE
#define TF_VALIDATE_ERR_CRC 1
#define TF_VALIDATE_ERR_LENGTH 2
#define TF_VALIDATE_ERR_TYPE 3
#define TF_VALIDATE_ERR_INVOKE 4

// ---- HAL: what the board provides (tinyforge_app.cpp on Arduino) ----
/** Next received byte (0..255), or -1 when none is waiting. Never blocks. */
int tf_hal_read_byte(void);
/** Sends n bytes (may block until they are queued). */
void tf_hal_write(const uint8_t* data, uint32_t n);
/** A free-running microsecond counter (wraps at 2^32). */
uint32_t tf_hal_micros(void);

/** Back to waiting for a frame's magic. */
void tf_validate_init(void);
/**
 * Consumes every byte waiting on the link and answers each complete frame.
 * Returns the number of valid frames handled by this call (0 when none).
 */
int tf_validate_poll(void);
/** 1 while a frame is partly received (its input bytes may already be in the input tensors). */
int tf_validate_busy(void);
/** CRC-32 (zlib) update: start with crc = 0, feed the bytes in any number of calls. */
uint32_t tf_crc32_update(uint32_t crc, const uint8_t* data, uint32_t n);
