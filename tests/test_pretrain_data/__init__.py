# Copyright (c) mmmotionbert contributors. All rights reserved.
