// Copyright 2026 ncp-silicon authors.
#include "addon/errors.h"

#include <exception>
#include <new>
#include <stdexcept>

#include "core/sequence.h"

namespace ncp::addon {

PendingError capture_current_exception() {
  PendingError error;
  try {
    throw;
  } catch (const core::InvalidArgument& e) {
    error.kind = e.kind == core::InvalidArgument::Kind::Type ? PendingError::Kind::Type : PendingError::Kind::Range;
    error.message = e.what();
  } catch (const CodedFailure& e) {
    error.kind = PendingError::Kind::Coded;
    error.code = e.code;
    error.message = e.what();
  } catch (const core::Cancelled&) {
    error.kind = PendingError::Kind::Cancelled;
    error.message = "The operation was aborted.";
  } catch (const std::bad_alloc&) {
    error.kind = PendingError::Kind::OutOfMemory;
    error.message = "ncp-silicon native kernel: out of memory (an allocation failed; reduce the batch, the sequence "
                    "length, the threads or the model size).";
  } catch (const std::length_error& e) {
    // A container asked for more than it can hold: an allocation that could not be made.
    error.kind = PendingError::Kind::OutOfMemory;
    error.message = std::string("ncp-silicon native kernel: out of memory (") + e.what() + ").";
  } catch (const std::exception& e) {
    error.kind = PendingError::Kind::Native;
    error.message = std::string("ncp-silicon native kernel failed: ") + e.what();
  } catch (...) {
    error.kind = PendingError::Kind::Native;
    error.message = "ncp-silicon native kernel failed with an unknown error.";
  }
  return error;
}

Napi::Error to_js_error(Napi::Env env, const PendingError& error) {
  Napi::Error js;
  std::string code = "NCP_NATIVE";
  switch (error.kind) {
    case PendingError::Kind::Type:
      js = Napi::TypeError::New(env, error.message);
      code = "NCP_INVALID_TYPE";
      break;
    case PendingError::Kind::Range:
      js = Napi::RangeError::New(env, error.message);
      code = "NCP_INVALID_RANGE";
      break;
    case PendingError::Kind::OutOfMemory:
      js = Napi::Error::New(env, error.message);
      code = "NCP_NATIVE_OUT_OF_MEMORY";
      break;
    case PendingError::Kind::Cancelled:
      js = Napi::Error::New(env, error.message);
      code = "NCP_ABORTED";
      break;
    case PendingError::Kind::Coded:
      js = Napi::Error::New(env, error.message);
      code = error.code;
      break;
    default:
      js = Napi::Error::New(env, error.message);
      break;
  }
  js.Set("code", Napi::String::New(env, code));
  return js;
}

}  // namespace ncp::addon
