/// <reference types="route-handlers/next-types" />
