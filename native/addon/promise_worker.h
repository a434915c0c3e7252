// Copyright 2026 ncp-silicon authors.
// The one base of every promise-returning async call in both addons (sequence calls, MLX sequence calls,
// calibrate): run() on a libuv worker thread, touching native memory only; any C++ exception it throws is kept
// (PendingError) and becomes the matching typed JS error on the JS thread. settle() runs on the JS thread after
// a successful run() and returns the value to resolve with; a Napi::Error it throws rejects instead.
#pragma once

#include <napi.h>

#include "addon/errors.h"

namespace ncp::addon {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  // Queues the worker (libuv owns and deletes it once settled) and returns its promise.
  static Napi::Promise start(PromiseWorker* worker) {
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();
    return promise;
  }

 protected:
  PromiseWorker(Napi::Env env, const char* resource_name)
      : Napi::AsyncWorker(env, resource_name), deferred_(Napi::Promise::Deferred::New(env)) {}

  virtual void run() = 0;
  virtual Napi::Value settle(Napi::Env env) = 0;

 private:
  void Execute() final {
    try {
      run();
    } catch (...) {
      error_ = capture_current_exception();
    }
  }

  void OnOK() final {
    Napi::Env env = Env();
    if (error_.kind != PendingError::Kind::None) {
      deferred_.Reject(to_js_error(env, error_).Value());
      return;
    }
    try {
      deferred_.Resolve(settle(env));
    } catch (const Napi::Error& error) {
      deferred_.Reject(error.Value());
    }
  }

  void OnError(const Napi::Error& error) final { deferred_.Reject(error.Value()); }

  Napi::Promise::Deferred deferred_;
  PendingError error_;
};

}  // namespace ncp::addon
