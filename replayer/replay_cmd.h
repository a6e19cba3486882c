/*
 * replay_cmd.h - the "muse replay" command.
 */
#ifndef MUSE_REPLAY_CMD_H
#define MUSE_REPLAY_CMD_H

int cmd_replay(int argc, char **argv);

#endif
