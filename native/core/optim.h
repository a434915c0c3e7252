// Copyright 2026 ncp-silicon authors.
#pragma once
