# bash completion for otto. Every candidate comes from the hidden, stable
# 'otto __complete WORD...' (core/cli/complete.c), which never prints an
# error and gives up after a short time limit, so a slow or broken backend
# only means no candidates.
_otto()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	--settings)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--plugin-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	esac
	local IFS=$'\n'
	COMPREPLY=($("${COMP_WORDS[0]}" __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -F _otto otto
