/*
 * convert_cmd.h - "muse convert": a flash image from one format to another.
 */
#ifndef MUSE_CONVERT_CMD_H
#define MUSE_CONVERT_CMD_H

int cmd_convert(int argc, char **argv);

#endif
