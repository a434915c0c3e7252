// Copyright 2026 ncp-silicon authors.
#include "core/optim.h"
