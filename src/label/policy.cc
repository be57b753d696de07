// placeholder
namespace entente::label {}
