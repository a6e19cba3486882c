/*
 * serve.h - the "muse serve" command.
 */
#ifndef MUSE_SERVE_H
#define MUSE_SERVE_H

int cmd_serve(int argc, char **argv);

#endif
