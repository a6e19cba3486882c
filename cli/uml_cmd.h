/*
 * uml_cmd.h - the "muse uml" command.
 */
#ifndef MUSE_UML_CMD_H
#define MUSE_UML_CMD_H

int cmd_uml(int argc, char **argv);

#endif
