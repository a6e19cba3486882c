# bash completion for muse: commands, then each command's options, read
# from "muse --help" and "muse COMMAND --help" so that they never drift;
# file names elsewhere.  Installed as
# PREFIX/share/bash-completion/completions/muse.

_muse_commands() {
	"$1" --help 2> /dev/null | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'
}

_muse_options() {
	"$1" "$2" --help 2> /dev/null |
		sed -n 's/^ \{2,6\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p'
}

_muse() {
	local cur=${COMP_WORDS[COMP_CWORD]} muse=${COMP_WORDS[0]} cmd= i
	for ((i = 1; i < COMP_CWORD; i++)); do
		if [ "${COMP_WORDS[i]}" = -- ]; then
			# the workload's own command line: its files
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
		fi
		[ -z "$cmd" ] && [[ ${COMP_WORDS[i]} != -* ]] && cmd=${COMP_WORDS[i]}
	done
	if [ -z "$cmd" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_muse_commands "$muse") --help" -- "$cur")
	elif [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_muse_options "$muse" "$cmd")" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
	fi
}
complete -o filenames -F _muse muse
