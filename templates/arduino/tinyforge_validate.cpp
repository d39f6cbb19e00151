// Validation mode: frame parser and replies (protocol in tinyforge_validate.h).
// Input payloads stream straight into the model's input tensors, so no frame
// buffer as large as the inputs is ever needed.
#include "tinyforge_validate.h"
#include <string.h>
#include "tinyforge_model.h"

namespace {

// A frame whose bytes stop arriving for this long is dropped.
const uint32_t kFrameTimeoutUs = 1000000u;
// Largest payload buffered for frames other than INFER.
const uint32_t kSmallPayload = 16u;

enum State { kMagic0, kMagic1, kHeader, kPayload, kCrc };
// Where the payload bytes of the current frame go.
enum Sink { kSinkSmall, kSinkInputs, kSinkDiscard };

struct Parser {
  State state;
  Sink sink;
  uint8_t header[5];  // type, length u32 LE
  uint32_t got;       // bytes of the current field received so far
  uint32_t length;
  uint32_t crc;       // running CRC over header and payload
  uint8_t crc_bytes[4];
  uint8_t small[kSmallPayload];
  uint32_t tensor;    // input tensor being filled (kSinkInputs)
  uint32_t offset;    // byte offset inside that tensor
  uint32_t last_us;   // time of the last byte received mid-frame
};

Parser g_parser;

uint32_t input_bytes(void) {
  uint32_t n = 0;
  for (uint32_t k = 0; k < TINYFORGE_NUM_INPUTS; k++) n += tf_inputs[k].bytes;
  return n;
}

void put_u32(uint8_t* p, uint32_t v) {
  p[0] = (uint8_t)(v & 0xFFu);
  p[1] = (uint8_t)((v >> 8) & 0xFFu);
  p[2] = (uint8_t)((v >> 16) & 0xFFu);
  p[3] = (uint8_t)((v >> 24) & 0xFFu);
}

uint32_t get_u32(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

// Writes one reply frame whose payload is `head` followed by `tail_count` spans.
struct Span {
  const uint8_t* data;
  uint32_t bytes;
};

void send_frame(uint8_t type, const uint8_t* head, uint32_t head_bytes, const Span* tail, uint32_t tail_count) {
  uint32_t length = head_bytes;
  for (uint32_t i = 0; i < tail_count; i++) length += tail[i].bytes;
  uint8_t start[7];
  start[0] = TF_VALIDATE_MAGIC0;
  start[1] = TF_VALIDATE_MAGIC1;
  start[2] = type;
  put_u32(start + 3, length);
  uint32_t crc = tf_crc32_update(0u, start + 2, 5u);
  tf_hal_write(start, 7u);
  if (head_bytes > 0u) {
    crc = tf_crc32_update(crc, head, head_bytes);
    tf_hal_write(head, head_bytes);
  }
  for (uint32_t i = 0; i < tail_count; i++) {
    crc = tf_crc32_update(crc, tail[i].data, tail[i].bytes);
    tf_hal_write(tail[i].data, tail[i].bytes);
  }
  uint8_t end[4];
  put_u32(end, crc);
  tf_hal_write(end, 4u);
}

void send_error(uint8_t code) { send_frame(TF_VALIDATE_ERROR, &code, 1u, 0, 0u); }

void put_tensor_info(uint8_t* p, const tf_tensor_info& t) {
  uint32_t scale_bits;
  memcpy(&scale_bits, &t.scale, sizeof scale_bits);
  p[0] = t.dtype;
  put_u32(p + 1, t.bytes);
  put_u32(p + 5, t.elements);
  put_u32(p + 9, scale_bits);
  put_u32(p + 13, (uint32_t)t.zero_point);
}

const uint32_t kTensorInfoBytes = 17u;

void reply_hello(void) {
  uint8_t head[1 + 32 + 4 + 2];
  head[0] = TF_VALIDATE_VERSION;
  for (uint32_t i = 0; i < 32u; i++) head[1 + i] = tf_model_sha256[i];
  put_u32(head + 33, (uint32_t)TINYFORGE_ARENA_BYTES);
  head[37] = (uint8_t)TINYFORGE_NUM_INPUTS;
  head[38] = (uint8_t)TINYFORGE_NUM_OUTPUTS;
  uint8_t infos[(TINYFORGE_NUM_INPUTS + TINYFORGE_NUM_OUTPUTS) * kTensorInfoBytes];
  for (uint32_t k = 0; k < TINYFORGE_NUM_INPUTS; k++) put_tensor_info(infos + k * kTensorInfoBytes, tf_inputs[k]);
  for (uint32_t k = 0; k < TINYFORGE_NUM_OUTPUTS; k++) put_tensor_info(infos + (TINYFORGE_NUM_INPUTS + k) * kTensorInfoBytes, tf_outputs[k]);
  const Span tail = {infos, (uint32_t)sizeof infos};
  send_frame(TF_VALIDATE_HELLO_OK, head, (uint32_t)sizeof head, &tail, 1u);
}

void reply_infer(uint8_t flags) {
  if ((flags & 1u) == 0u) tf_reset();
  const uint32_t t0 = tf_hal_micros();
  const int status = tf_invoke();
  const uint32_t us = tf_hal_micros() - t0;
  if (status != 0) {
    send_error(TF_VALIDATE_ERR_INVOKE);
    return;
  }
  uint8_t head[4];
  put_u32(head, us);
  Span tail[TINYFORGE_NUM_OUTPUTS];
  for (uint32_t k = 0; k < TINYFORGE_NUM_OUTPUTS; k++) {
    tail[k].data = tf_outputs[k].data;
    tail[k].bytes = tf_outputs[k].bytes;
  }
  send_frame(TF_VALIDATE_INFER_OK, head, 4u, tail, TINYFORGE_NUM_OUTPUTS);
}

// The header is complete: choose where the payload goes.
void begin_payload(Parser& p) {
  const uint8_t type = p.header[0];
  p.length = get_u32(p.header + 1);
  p.got = 0;
  p.tensor = 0;
  p.offset = 0;
  if (type == TF_VALIDATE_INFER && p.length == 1u + input_bytes()) {
    p.sink = kSinkInputs;
  } else if (p.length <= kSmallPayload) {
    p.sink = kSinkSmall;
  } else {
    p.sink = kSinkDiscard;
  }
  p.state = p.length == 0u ? kCrc : kPayload;
}

void payload_byte(Parser& p, uint8_t b) {
  if (p.sink == kSinkSmall) {
    p.small[p.got] = b;
  } else if (p.sink == kSinkInputs) {
    if (p.got == 0u) {
      p.small[0] = b;  // flags
    } else {
      while (p.offset >= tf_inputs[p.tensor].bytes) {
        p.tensor++;
        p.offset = 0;
      }
      tf_inputs[p.tensor].data[p.offset++] = b;
    }
  }
  p.got++;
  if (p.got == p.length) {
    p.state = kCrc;
    p.got = 0;
  }
}

// A whole frame arrived with a good CRC: answer it. Returns 1 if it was valid.
int handle_frame(Parser& p) {
  const uint8_t type = p.header[0];
  if (p.sink == kSinkDiscard) {
    send_error(TF_VALIDATE_ERR_LENGTH);
    return 0;
  }
  if (type == TF_VALIDATE_HELLO) {
    if (p.length != 0u) {
      send_error(TF_VALIDATE_ERR_LENGTH);
      return 0;
    }
    reply_hello();
    return 1;
  }
  if (type == TF_VALIDATE_INFER) {
    if (p.sink != kSinkInputs) {
      send_error(TF_VALIDATE_ERR_LENGTH);
      return 0;
    }
    reply_infer(p.small[0]);
    return 1;
  }
  send_error(TF_VALIDATE_ERR_TYPE);
  return 0;
}

// Feeds one byte; returns 1 when it completed a valid frame.
int feed(Parser& p, uint8_t b, uint32_t now) {
  if (p.state != kMagic0 && now - p.last_us > kFrameTimeoutUs) p.state = kMagic0;
  p.last_us = now;
  switch (p.state) {
    case kMagic0:
      if (b == TF_VALIDATE_MAGIC0) p.state = kMagic1;
      return 0;
    case kMagic1:
      if (b == TF_VALIDATE_MAGIC1) {
        p.state = kHeader;
        p.got = 0;
      } else if (b != TF_VALIDATE_MAGIC0) {
        p.state = kMagic0;
      }
      return 0;
    case kHeader:
      p.header[p.got++] = b;
      if (p.got == 5u) {
        p.crc = tf_crc32_update(0u, p.header, 5u);
        begin_payload(p);
      }
      return 0;
    case kPayload:
      p.crc = tf_crc32_update(p.crc, &b, 1u);
      payload_byte(p, b);
      return 0;
    case kCrc:
      p.crc_bytes[p.got++] = b;
      if (p.got < 4u) return 0;
      p.state = kMagic0;
      if (get_u32(p.crc_bytes) != p.crc) {
        send_error(TF_VALIDATE_ERR_CRC);
        return 0;
      }
      return handle_frame(p);
  }
  return 0;
}

}  // namespace

uint32_t tf_crc32_update(uint32_t crc, const uint8_t* data, uint32_t n) {
  // Reflected polynomial 0xEDB88320, four bits at a time (64-byte table).
  static const uint32_t kNibble[16] = {
      0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
      0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu, 0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
  };
  crc = ~crc;
  for (uint32_t i = 0; i < n; i++) {
    crc ^= data[i];
    crc = (crc >> 4) ^ kNibble[crc & 0xFu];
    crc = (crc >> 4) ^ kNibble[crc & 0xFu];
  }
  return ~crc;
}

void tf_validate_init(void) {
  g_parser.state = kMagic0;
  g_parser.got = 0;
}

int tf_validate_busy(void) { return g_parser.state != kMagic0 && g_parser.state != kMagic1; }

int tf_validate_poll(void) {
  int frames = 0;
  for (;;) {
    const int c = tf_hal_read_byte();
    if (c < 0) break;
    frames += feed(g_parser, (uint8_t)c, tf_hal_micros());
  }
  // A frame the host abandoned must not keep the link busy forever.
  if (g_parser.state != kMagic0 && tf_hal_micros() - g_parser.last_us > kFrameTimeoutUs) g_parser.state = kMagic0;
  return frames;
}
